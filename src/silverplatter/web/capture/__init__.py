"""Public endpoints under ``/capture/``: no sign-in; tokens, CORS and rate limits guard them."""
