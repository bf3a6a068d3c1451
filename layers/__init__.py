"""Geography for the Midlands Defence Capability Map: boundaries, sites, corridor, clusters."""
