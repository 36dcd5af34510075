"""The reformulation core: host-free, torch-free (numpy only)."""
