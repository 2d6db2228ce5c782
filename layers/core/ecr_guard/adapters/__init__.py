"""The only modules that talk to AWS: boto3 clients, wrapped in small adapters that speak the
guard's own types and translate AWS error codes into `ecr_guard.errors`."""
