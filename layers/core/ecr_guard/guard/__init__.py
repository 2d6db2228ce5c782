"""The guard on AWS: settings, the per-image flow, quarantine and release, notifications.

Nothing here imports boto3: the flow talks to the adapters in `ecr_guard.adapters`.
"""
