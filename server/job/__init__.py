"""Background jobs: long work (sign batches, imports, bulletins) recorded as a Job and run by a worker."""
