"""Interactive widgets for igm-kit (thin layers on the igm engine)."""
