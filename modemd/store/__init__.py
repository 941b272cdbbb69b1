"""SQLite state: schema, migrations, message state machine, queue claims. Knows no AT."""
