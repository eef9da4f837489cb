"""Where people reach the Coach: the command line, the web app and its JSON API, Slack and the client brief;
``presenters`` is how tool results read in every one of them, and ``boundary`` what each tells a user
when a request fails."""
