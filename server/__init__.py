"""The Flask application factory."""
import os

from flask import Flask

import schemas  # noqa: F401  (installs the Chinese validation messages)
from server.config import Config, normalise_db_url
from server.core import sqlite


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: config from the class and environment, extensions, blueprints last."""
    app = Flask(__name__, instance_path=os.environ.get("INSTANCE_PATH") or None,
                instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_object(Config)
    app.config.update(Config.from_env(app.instance_path))
    app.config.update(overrides or {})
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_db_url(app.config["SQLALCHEMY_DATABASE_URI"])
    options = app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # An embedded file: writers take turns (server.core.sqlite); nothing can drop a connection.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = sqlite.engine_options(options)
    app.json.ensure_ascii = False
    from server.core import bounds
    bounds.install(app)  # bounded <int:…> before any route is added
    from server.core.session import CookieSessions
    app.session_interface = CookieSessions()
    from server import models  # noqa: F401  (every table known before migrations and queries)
    from server.extensions import api, compress, csrf, db, login_manager, migrate
    db.init_app(app)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A database server can drop connections (restart, failover): test idle ones before use.
        from server.core.pool import ping_when_idle
        with app.app_context():
            ping_when_idle(db.engine, app.config["DB_PING_AFTER_IDLE_SECONDS"])
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "admin_auth.login"
    login_manager.login_message = "请先登录"
    csrf.init_app(app)
    api.init_app(app)
    compress.init_app(app)
    from server.public import throttle
    throttle.init_app(app)

    from server import web
    web.init_app(app)
    _register_blueprints(app)
    _register_cli(app)
    if app.config["PUBLIC_FAST_PATH"]:
        from server.public.fast import KeptPages
        app.wsgi_app = KeptPages(app, app.wsgi_app)  # kept sign pages, before Flask (server.public.fast)
    if app.config.get("TRUSTED_PROXY_HOPS"):  # outermost: what follows sees the client's address and scheme
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = app.config["TRUSTED_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


def _register_blueprints(app: Flask) -> None:
    from server.account.api import api_bp as account_api
    from server.admin import register as register_admin
    from server.carrier.api import api_bp as carrier_api
    from server.complaint.api import api_bp as complaint_api
    from server.directory.api import api_bp as directory_api
    from server.directory.views import bp as directory_bp
    from server.redblack.api import api_bp as redblack_api
    from server.redblack.views import bp as redblack_bp
    from server.extensions import api, csrf
    from server.health import bp as health_bp
    from server.public.views import bp as public_bp
    from server.pwa import bp as pwa_bp
    from server.signage.api import api_bp as sign_api
    from server.station.api import api_bp as station_api
    from server.unit.api import api_bp as unit_api
    from server.checklist.api import api_bp as checklist_api
    from server.inspection.api import api_bp as inspection_api
    from server.photo.api import api_bp as photo_api
    from server.sync.api import api_bp as sync_api
    from server.visit.api import api_bp as task_api

    app.register_blueprint(health_bp)
    app.register_blueprint(pwa_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(redblack_bp)
    from server.volunteer.views import bp as volunteer_bp
    app.register_blueprint(volunteer_bp)
    for bp in (account_api, station_api, unit_api, carrier_api, checklist_api, task_api, inspection_api,
               photo_api, sign_api, sync_api, complaint_api, directory_api,
               redblack_api):
        csrf.exempt(bp)  # bearer tokens, not cookies: no CSRF to guard against
        api.register_blueprint(bp, url_prefix="/api/v1" + bp.url_prefix)
    register_admin(app)


def _register_cli(app: Flask) -> None:
    from server.demo.cli import demo_cli
    from server.integrity.cli import integrity_cli
    from server.station.cli import county_cli, region_cli
    from server.signage.cli import signs_cli
    from server.unit.cli import units_cli
    from server.workday.cli import workdays_cli
    from server.rhythm.cli import bulletin_cli
    from server.job.cli import jobs_cli
    app.cli.add_command(jobs_cli)
    app.cli.add_command(signs_cli)
    app.cli.add_command(workdays_cli)
    app.cli.add_command(bulletin_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(county_cli)
    app.cli.add_command(region_cli)
    app.cli.add_command(units_cli)
    app.cli.add_command(integrity_cli)
