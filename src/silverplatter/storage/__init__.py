"""Storage: tables, statements per aggregate, migrations."""
