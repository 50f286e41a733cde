"""监督检查 inspections, rectification orders and penalty decisions (art_23-25)."""
