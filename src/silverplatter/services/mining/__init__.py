"""Lost-lead mining: one module per place lost leads hide (``domain/mining.py``)."""
