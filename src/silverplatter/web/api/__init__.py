"""The REST API under ``/api/v1``; each module is one resource's routes."""
