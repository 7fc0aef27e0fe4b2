"""py-echo: the sample Python agent (skills py.echo, py.wordcount, py.slow). Run with
``python -m py_echo``; the agent itself is built by ``py_echo.agent.create_agent()``."""
