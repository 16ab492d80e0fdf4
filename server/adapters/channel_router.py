"""``Messaging``: each channel's adapter, chosen by the message's channel."""

from __future__ import annotations

from typing import Protocol

from server.ports.notifications import (
    Channel,
    Delivery,
    DeliveryFailed,
    Notification,
    NotificationService,
    OutgoingMessage,
)


class ChannelAdapter(Protocol):
    def deliver(self, message: OutgoingMessage) -> Delivery: ...


class PhoneProvider(ChannelAdapter, Protocol):
    def channels(self) -> frozenset[Channel]: ...

    def verify_status_callback(self, url: str, params: dict[str, str], signature: str) -> bool: ...


class ChannelRouter:
    def __init__(
        self,
        *,
        email: ChannelAdapter,
        phone: PhoneProvider | None = None,
        slack: ChannelAdapter | None = None,
        teams: ChannelAdapter | None = None,
    ) -> None:
        self._phone = phone
        self._adapters: dict[Channel, ChannelAdapter] = {Channel.EMAIL: email}
        if phone is not None:
            for channel in phone.channels():
                self._adapters[channel] = phone
        if slack is not None:
            self._adapters[Channel.SLACK] = slack
        if teams is not None:
            self._adapters[Channel.TEAMS] = teams

    def configured(self, channel: Channel) -> bool:
        return channel in self._adapters

    def deliver(self, message: OutgoingMessage) -> Delivery:
        adapter = self._adapters.get(message.channel)
        if adapter is None:
            raise DeliveryFailed(f"no {message.channel} provider is configured", permanent=True)
        return adapter.deliver(message)

    def verify_status_callback(self, url: str, params: dict[str, str], signature: str) -> bool:
        if self._phone is None or not signature:
            return False
        return self._phone.verify_status_callback(url, params, signature)


class PlainEmail:
    """Email through a ``NotificationService`` that only sends plain ``Notification``s (a
    replacement adapter, a test's fake): the text part, without HTML or extra headers."""

    def __init__(self, notifications: NotificationService) -> None:
        self._notifications = notifications

    def deliver(self, message: OutgoingMessage) -> Delivery:
        self._notifications.send(Notification(message.to, message.subject, message.text))
        return Delivery(status="sent")
