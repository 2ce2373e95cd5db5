"""Pure measurement maths over NumPy arrays: no I/O, no threads, no models, no UI."""
