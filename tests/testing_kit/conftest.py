"""The testing kit's own tests run plugin scenarios in isolated pytest sessions (`pytester`)."""

pytest_plugins = ["pytester"]
