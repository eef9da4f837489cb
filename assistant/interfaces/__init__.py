"""Where people reach the Coach: the command line, the web app and its JSON API, Slack and the client brief;
``presenters`` is how tool results read in every one of them."""
