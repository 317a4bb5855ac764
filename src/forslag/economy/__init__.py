"""The economy: Tabel 1 arithmetic and the business case behind it (pure, Decimal)."""
