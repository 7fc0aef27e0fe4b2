"""``python -m py_echo``: serves the py-echo agent until SIGTERM (configuration: MESHWORK_*/OTEL_*)."""

from py_echo.agent import create_agent

if __name__ == "__main__":
    create_agent().run()
