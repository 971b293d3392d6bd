"""Serve the JupyterLab frontend built in this directory from Debian's jupyter_server.

Usage: /usr/bin/python3 golab.py --port=N --ServerApp.token=T --ServerApp.root_dir=DIR

The application is the one `setup` builds from the npm registry's @jupyterlab packages into
build/. Everything binds to 127.0.0.1, and the server's settings and workspaces live in a
directory of the caller's choosing (GOLAB_STATE, default: state/ next to this file), so a test
run never reads a user's JupyterLab configuration.
"""
import os
import sys

from jupyterlab_server import LabServerApp

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")
STATE = os.environ.get("GOLAB_STATE", os.path.join(HERE, "state"))


class GoLabApp(LabServerApp):
    """JupyterLab's frontend served as a jupyter_server extension application."""

    name = "golab"
    app_name = "JupyterLab"
    app_version = "3.6"
    default_url = "/lab"
    extension_url = "/lab"
    load_other_extensions = False
    app_dir = HERE
    templates_dir = os.path.join(HERE, "templates")
    static_dir = os.path.join(BUILD, "static")
    schemas_dir = os.path.join(BUILD, "schemas")
    themes_dir = os.path.join(BUILD, "themes")
    app_settings_dir = os.path.join(BUILD, "settings")
    user_settings_dir = os.path.join(STATE, "settings")
    workspaces_dir = os.path.join(STATE, "workspaces")


def _jupyter_server_extension_points():
    return [{"module": "golab", "app": GoLabApp}]


if __name__ == "__main__":
    if not os.path.exists(os.path.join(BUILD, "static", "main.js")):
        sys.exit("golab: no JupyterLab build in %s; run %s first" % (BUILD, os.path.join(HERE, "setup")))
    sys.path.insert(0, HERE)
    GoLabApp.launch_instance(argv=["--ServerApp.ip=127.0.0.1", "--no-browser"] + sys.argv[1:])
