"""Services: one function per operation, called by the CLI, API, UI and jobs."""
