"""The API's blueprint: flask-smorest's, with argument schemas made once.

Given a schema class, webargs makes an instance on every request (and the instance its nested
schemas); a schema is reusable, so the class is instantiated here, once, when the route is declared.
"""
import flask_smorest


class Blueprint(flask_smorest.Blueprint):
    def arguments(self, schema, *args, **kwargs):
        """As flask-smorest's, with a schema class turned into one instance for every request."""
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)
