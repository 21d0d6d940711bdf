"""Project wiring: fills the extension points the lower floors declare (docs/architecture.md)."""
