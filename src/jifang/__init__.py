"""Jifang (技防): Kunming's public-security technical prevention platform."""
