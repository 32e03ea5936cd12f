"""Background jobs of the VAPT programme: sla."""
