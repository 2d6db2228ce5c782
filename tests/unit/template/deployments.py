"""Parameter values of deployments the template tests render besides the default one."""

from __future__ import annotations

from .cfn import ACCOUNT, PARTITION, REGION

SLACK_SECRET_ARN = (
    f"arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT}:secret:ecr-guard/slack-webhooks-AbC123"
)
CHATBOT_TOPIC_ARN = f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT}:chatbot-security-alerts"
WITH_SLACK = {"SlackWebhookSecretArn": SLACK_SECRET_ARN}
WITH_CHATBOT = {"ChatbotTopicArn": CHATBOT_TOPIC_ARN}
WITH_CHAT = WITH_SLACK | WITH_CHATBOT
