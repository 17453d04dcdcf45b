"""Public models from outside the project, fetched at set-up time from a package registry, and the inputs they take."""
