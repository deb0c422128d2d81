"""就业援助工作台 (caseworker): an offline workbench for township job-service stations."""

__version__ = "0.1.0"
