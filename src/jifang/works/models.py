"""技防工程 works: design review, construction, acceptance, go-live and firms' filings (art_8, 10, 13-17)."""
