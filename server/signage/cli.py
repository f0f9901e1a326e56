"""flask signs ... (being built)."""
from flask.cli import AppGroup

signs_cli = AppGroup("signs", help="标识的生成与打印")
