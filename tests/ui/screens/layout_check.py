"""Checks of what people see: no visible control outside the window or its parent, and no
label, button or list row whose text is cut."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QLabel,
    QLineEdit,
    QListWidget,
    QTabBar,
    QWidget,
)

#: Rounding of layouts and style-sheet borders.
SLACK = 1


def _inside_scroll_content(widget: QWidget) -> bool:
    """Content of a scroll area may extend past what shows (it scrolls)."""
    parent = widget.parentWidget()
    while parent is not None:
        grand = parent.parentWidget()
        if isinstance(grand, QAbstractScrollArea) and parent is grand.viewport():
            return True
        parent = grand
    return False


def _words_fit(text: str, widget: QWidget, width: int) -> list[str]:
    metrics = widget.fontMetrics()
    return [w for w in text.split() if metrics.horizontalAdvance(w) > width + SLACK]


def problems(window: QWidget) -> list[str]:
    """Every visible widget of ``window`` that lies outside it or its parent, or whose text
    does not fit (empty list: all is well)."""
    found: list[str] = []
    bounds = window.rect()
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or widget.isWindow() or _inside_scroll_content(widget):
            continue
        if isinstance(widget.parentWidget(), QLineEdit):
            continue  # the line edit's own clear button, drawn within its frame
        name = f"{type(widget).__name__}({widget.objectName() or _text(widget)!r})"
        top_left = widget.mapTo(window, QPoint(0, 0))
        rect = QRect(top_left, widget.size())
        if not bounds.adjusted(-SLACK, -SLACK, SLACK, SLACK).contains(rect):
            found.append(f"{name} at {rect.getRect()} is outside the window {bounds.getRect()}")
            continue
        parent = widget.parentWidget()
        if parent is not None and parent is not window:
            inner = parent.rect().adjusted(-SLACK, -SLACK, SLACK, SLACK)
            if not inner.contains(widget.geometry()):
                found.append(f"{name} {widget.geometry().getRect()} is cut by its parent")
                continue
        found.extend(f"{name}: {p}" for p in _text_problems(widget))
    return found


def _text(widget: QWidget) -> str:
    if isinstance(widget, QLabel | QAbstractButton):
        return widget.text()[:30]
    return ""


def _text_problems(widget: QWidget) -> list[str]:
    if isinstance(widget, QLabel) and widget.text() and widget.pixmap().isNull():
        return _label_problems(widget)
    if isinstance(widget, QAbstractButton) and widget.text():
        hint = widget.sizeHint()
        if hint.width() > widget.width() + SLACK:
            return [f"button text needs {hint.width()} px, has {widget.width()}"]
    if isinstance(widget, QTabBar):
        return _tab_problems(widget)
    if isinstance(widget, QListWidget):
        return _list_problems(widget)
    return []


def _label_problems(label: QLabel) -> list[str]:
    if not label.wordWrap():
        hint = label.sizeHint()
        if hint.width() > label.width() + SLACK or hint.height() > label.height() + SLACK:
            return [f"text needs {hint.width()}×{hint.height()}, has {label.size().toTuple()}"]
        return []
    if label.textFormat() != Qt.TextFormat.RichText:
        cut = _words_fit(label.text(), label, label.contentsRect().width())
        if cut:
            return [f"words wider than the label: {cut}"]
    needed = label.heightForWidth(label.width())
    if needed > label.height() + SLACK:
        return [f"wrapped text needs {needed} px of height, has {label.height()}"]
    return []


def _tab_problems(bar: QTabBar) -> list[str]:
    for index in range(bar.count()):
        if bar.tabRect(index).width() + SLACK < bar.tabSizeHint(index).width():
            return [f"tab {bar.tabText(index)!r} is cut"]
        if not bar.rect().contains(bar.tabRect(index)):
            return [f"tab {bar.tabText(index)!r} is outside the tab bar"]
    return []


def _list_problems(widget: QListWidget) -> list[str]:
    width = widget.viewport().width() - 2 * widget.spacing() - 8
    metrics = widget.fontMetrics()
    for row in range(widget.count()):
        text = widget.item(row).text()
        if widget.wordWrap():
            cut = _words_fit(text, widget, width)
            if cut:
                return [f"row {row}: words wider than the list: {cut}"]
            continue
        longest = max(metrics.horizontalAdvance(line) for line in text.split("\n"))
        if longest > width:
            return [f"row {row} needs {longest} px, the list has {width}: {text!r}"]
    return []
