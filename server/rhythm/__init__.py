"""The supervision rhythm of the work plan: 每天网上巡、每周回头看、每月一通报."""
