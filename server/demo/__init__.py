"""The demo data set: Jinyun county's 2023 programme."""
