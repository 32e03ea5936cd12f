"""Background jobs of the VAPT programme: imports."""
