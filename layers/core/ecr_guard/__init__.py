"""ecr-guard: one image policy for the laptop, the pipeline and the Amazon ECR registry."""

__version__ = "0.1.0"
