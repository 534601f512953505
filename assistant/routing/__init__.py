"""Routing of citizen and staff requests to the department that handles them."""
