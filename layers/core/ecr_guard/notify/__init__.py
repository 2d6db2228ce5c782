"""Chat notifications: the guard's SNS decisions rendered for Slack and AWS Chatbot, and the
notifier function that delivers them."""
