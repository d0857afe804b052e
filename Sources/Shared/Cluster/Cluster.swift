// Cluster module
