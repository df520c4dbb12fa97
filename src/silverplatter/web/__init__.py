"""Web adapters: the HTML UI and the JSON API."""
