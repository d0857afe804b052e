// Dataset module
