"""Progress measures: check-ins, the CSI-4, the private safety screen, scoring and charts."""
