"""A parameter dialog generated from a tool declaration.

Layer combos list only layers of the accepted geometry kinds and default to the active layer
(optional ones to none);
field combos follow their layer; number boxes show the unit and range (metres as feet when the
project displays imperial units); file parameters have a path box with a "Browse…" picker
filtered to their extensions; each parameter has a message line for validation errors; the
help pane shows the tool's help and its reference. "Run" emits ``run_requested(values)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QSplitter,
                               QTextBrowser, QVBoxLayout, QWidget)

from hotspot_desktop.core.model import Layer, PointLayer, Project
from hotspot_desktop.tools.base import Param, Tool, from_display, layer_columns, numeric_columns, to_display

NONE_TEXT = "(none)"
_BIG = 1e12


def _point_role(layer: Layer) -> str | None:
    """A point layer's role (incidents, community, patrol_log); None for other layers."""
    return layer.role if isinstance(layer, PointLayer) else None


def _has_role(layer: Layer, roles: tuple[str, ...]) -> bool:
    """Whether a zone layer has rows of one of ``roles`` (any row when no role is asked for)."""
    gdf = getattr(layer, "gdf", None)
    if gdf is None or not len(gdf):
        return False
    return not roles or ("role" in gdf.columns and bool(gdf["role"].isin(roles).any()))


class ToolDialog(QDialog):
    """Editors for every parameter of ``tool``; ``values()`` reads them back."""

    run_requested = Signal(dict)

    def __init__(self, tool: Tool, project: Project, parent: QWidget | None = None,
                 values: dict[str, Any] | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"toolDialog_{tool.id}")
        self.setWindowTitle(tool.name)
        self.tool = tool
        self.project = project
        self.display_units = getattr(project, "display_units", "m")
        self.editors: dict[str, QWidget] = {}
        self.messages: dict[str, QLabel] = {}
        initial = tool.defaults()
        initial.update(values or {})

        form_host = QWidget(self)
        form = QFormLayout(form_host)
        for p in tool.params:
            editor = self._make_editor(p)
            self.editors[p.name] = editor
            msg = QLabel("", form_host)
            msg.setObjectName(f"msg_{p.name}")
            msg.setStyleSheet("color: #b00020;")
            msg.setWordWrap(True)
            msg.hide()
            self.messages[p.name] = msg
            cell = QWidget(form_host)
            v = QVBoxLayout(cell)
            v.setContentsMargins(0, 0, 0, 0)
            v.addWidget(editor)
            v.addWidget(msg)
            # Only inputs the analyst must pick get a star; defaulted numbers and choices do not.
            needs_choice = p.kind in ("layer", "zones", "field", "output", "file") or p.kind == "date_range"
            label = QLabel(p.label + (" *" if needs_choice and not p.optional else ""))
            if p.help:
                label.setToolTip(p.help)
                editor.setToolTip(p.help)
            form.addRow(label, cell)
        for p in tool.params:  # after all editors exist, so fields can follow their layer
            self._set_value(p, initial.get(p.name))
            if p.kind == "field":
                src = self.editors[p.layer_param]  # type: ignore[index]
                src.currentIndexChanged.connect(lambda _i, p=p: self._refill_fields(p))  # type: ignore[attr-defined]
        self._shown_messages = False
        for editor in self.editors.values():
            self._watch(editor)

        self.help = QTextBrowser(self)
        self.help.setObjectName("toolHelp")
        self.help.setHtml(self._help_html())
        split = QSplitter(self)
        split.addWidget(form_host)
        split.addWidget(self.help)
        split.setSizes([420, 280])

        self.buttons = QDialogButtonBox(self)
        self.run_button = self.buttons.addButton("Run", QDialogButtonBox.ButtonRole.AcceptRole)
        self.run_button.setObjectName("runButton")
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self.try_run)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(split)
        lay.addWidget(self.buttons)
        self.resize(760, 420)
        # Layers added or removed while the dialog is open appear in / vanish from its combos.
        project.layers.inserted.connect(self._refresh_layers)
        project.layers.removed.connect(self._refresh_layers)

    def done(self, result: int) -> None:
        self._disconnect_project()
        super().done(result)

    def _disconnect_project(self) -> None:
        for sig in (self.project.layers.inserted, self.project.layers.removed):
            sig.disconnect(self._refresh_layers, missing_ok=True)

    def _refresh_layers(self, *_args: Any) -> None:
        for p in self.tool.params:
            if p.kind not in ("layer", "zones"):
                continue
            box: QComboBox = self.editors[p.name]  # type: ignore[assignment]
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            if p.optional:
                box.addItem(NONE_TEXT, None)
            for lyr in self._layers_for(p):
                box.addItem(lyr.name, lyr.id)
            i = box.findData(current) if current is not None else -1
            box.setCurrentIndex(max(i, 0))
            box.blockSignals(False)
        for p in self.tool.params:
            if p.kind == "field":
                self._refill_fields(p)
        self._revalidate()

    # --- editors ---------------------------------------------------------------------------
    def _layers_for(self, p: Param) -> list[Layer]:
        if p.kind == "zones":
            zones = [lyr for lyr in self.project.layers if lyr.kind == "zones"]
            others = [lyr for lyr in self.project.layers if lyr.kind != "zones" and lyr.geometry_kind == "polygon"]
            return zones + others
        return [lyr for lyr in reversed(list(self.project.layers))
                if not p.geometry or lyr.geometry_kind in p.geometry]

    def _make_editor(self, p: Param) -> QWidget:
        if p.kind in ("layer", "zones"):
            box = QComboBox(self)
            if p.optional:
                box.addItem(NONE_TEXT, None)
            for lyr in self._layers_for(p):
                box.addItem(lyr.name, lyr.id)
            return box
        if p.kind in ("field", "choice"):
            box = QComboBox(self)
            for c in p.choices:
                box.addItem(c, c)
            return box
        if p.kind == "number":
            spin = QDoubleSpinBox(self)
            lo, unit = to_display(p.minimum if p.minimum is not None else -_BIG, p.unit, self.display_units)
            hi, _ = to_display(p.maximum if p.maximum is not None else _BIG, p.unit, self.display_units)
            spin.setDecimals(3 if unit in ("", "%") or (p.maximum is not None and p.maximum <= 10) else 1)
            spin.setRange(lo, hi)
            spin.setSuffix(f" {unit}" if unit else "")
            spin.setKeyboardTracking(False)
            return spin
        if p.kind == "integer":
            spin = QSpinBox(self)
            spin.setRange(int(p.minimum) if p.minimum is not None else -2**31 + 1,
                          int(p.maximum) if p.maximum is not None else 2**31 - 1)
            spin.setSuffix(f" {p.unit}" if p.unit else "")
            return spin
        if p.kind == "bool":
            return QCheckBox(self)
        if p.kind == "date_range":
            host = QWidget(self)
            h = QHBoxLayout(host)
            h.setContentsMargins(0, 0, 0, 0)
            a, b = QLineEdit(host), QLineEdit(host)
            a.setPlaceholderText("from (YYYY-MM-DD, blank = start)")
            b.setPlaceholderText("to (YYYY-MM-DD, blank = end)")
            h.addWidget(a)
            h.addWidget(b)
            host.edits = (a, b)  # type: ignore[attr-defined]
            return host
        if p.kind == "file":
            host = QWidget(self)
            h = QHBoxLayout(host)
            h.setContentsMargins(0, 0, 0, 0)
            path = QLineEdit(host)
            path.setObjectName(f"file_{p.name}")
            exts = ", ".join("." + e for e in p.extensions)
            path.setPlaceholderText(("optional " if p.optional else "") + (f"{exts} file" if exts else "file"))
            browse = QPushButton("Browse…", host)
            browse.setObjectName(f"browse_{p.name}")
            browse.clicked.connect(lambda _c=False, p=p, path=path: self._browse(p, path))
            h.addWidget(path, 1)
            h.addWidget(browse)
            host.edits = (path,)  # type: ignore[attr-defined]
            host.browse = browse  # type: ignore[attr-defined]
            return host
        edit = QLineEdit(self)
        if p.kind == "text" and p.help:
            edit.setPlaceholderText(p.help)
        return edit

    def _browse(self, p: Param, edit: QLineEdit) -> None:
        """Pick the file of ``p``, starting beside the current one or in the project's folder."""
        current = edit.text().strip()
        project_path = getattr(self.project, "path", None)
        start = (str(Path(current).expanduser().parent) if current
                 else str(Path(project_path).parent) if project_path else "")
        chosen, _ = QFileDialog.getOpenFileName(self, p.label, start, p.file_filter())
        if chosen:
            edit.setText(chosen)

    def _refill_fields(self, p: Param, keep: str | None = None) -> None:
        box: QComboBox = self.editors[p.name]  # type: ignore[assignment]
        current = keep if keep is not None else box.currentData()
        layer = self._layer_value(self.tool.param(p.layer_param or ""))
        cols = [] if layer is None else (numeric_columns(layer) if p.numeric_field else layer_columns(layer))
        box.blockSignals(True)
        box.clear()
        if p.optional:
            box.addItem(NONE_TEXT, None)
        for c in cols:
            box.addItem(c, c)
        i = box.findData(current) if current is not None else -1
        box.setCurrentIndex(i if i >= 0 else 0)
        box.blockSignals(False)

    def _layer_value(self, p: Param) -> Layer | None:
        box: QComboBox = self.editors[p.name]  # type: ignore[assignment]
        lid = box.currentData()
        return self.project.layers.by_id(lid) if lid else None

    def _default_layer(self, p: Param) -> str | None:
        """Id of the layer a required layer parameter starts with: the active layer when it fits,
        else the top-most that fits. A point layer fits when its role is one the parameter prefers
        (``Param.point_roles``; a parameter named "pings" prefers a patrol log; others incidents),
        else any role but community input (survey responses, service requests), which is never
        the default; every layer stays in the list for the analyst to pick."""
        wanted = p.point_roles or (("patrol_log",) if p.name == "pings" else ("incidents",))
        layers = self._layers_for(p)
        fits = [lyr for lyr in layers if _point_role(lyr) in (None, *wanted)]
        if not any(_point_role(lyr) in wanted for lyr in fits):
            fits = [lyr for lyr in layers if _point_role(lyr) != "community"]
        active = self.project.layers.active
        if active is not None and any(lyr is active for lyr in fits):
            return active.id
        return fits[0].id if fits else None

    def _set_value(self, p: Param, v: Any) -> None:
        w = self.editors[p.name]
        if p.kind in ("layer", "zones"):
            target = v.id if isinstance(v, Layer) else None
            # Optional layers (study area, a second control...) start empty: defaulting them to the
            # active layer would silently change the analysis.
            if target is None and p.kind == "layer" and not p.optional:
                target = self._default_layer(p)
            if target is None and p.kind == "zones":
                target = next((lyr.id for lyr in self._layers_for(p) if _has_role(lyr, p.roles)), None)
            i = w.findData(target) if target is not None else -1  # type: ignore[attr-defined]
            if i >= 0:
                w.setCurrentIndex(i)  # type: ignore[attr-defined]
        elif p.kind == "field":
            self._refill_fields(p, keep=v)
        elif p.kind == "choice":
            i = w.findData(v)  # type: ignore[attr-defined]
            w.setCurrentIndex(max(0, i))  # type: ignore[attr-defined]
        elif p.kind == "number":
            w.setValue(to_display(float(v if v is not None else 0.0), p.unit, self.display_units)[0])  # type: ignore[attr-defined]
        elif p.kind == "integer":
            w.setValue(int(v if v is not None else 0))  # type: ignore[attr-defined]
        elif p.kind == "bool":
            w.setChecked(bool(v))  # type: ignore[attr-defined]
        elif p.kind == "date_range":
            a, b = v if v else (None, None)
            for edit, val in zip(w.edits, (a, b)):  # type: ignore[attr-defined]
                edit.setText("" if val in (None, "") else str(pd.Timestamp(val).date()))
        elif p.kind == "file":
            edit = w.edits[0]  # type: ignore[attr-defined]
            edit.setText("" if v is None else str(v))
            edit.setCursorPosition(len(edit.text()))  # the file name, not the start of a long folder
        else:
            w.setText("" if v is None else str(v))  # type: ignore[attr-defined]
            w.setCursorPosition(0)  # type: ignore[attr-defined]  # show the start of long values

    def set_values(self, values: dict[str, Any]) -> None:
        """Put ``values`` into the editors (layers as Layer objects)."""
        for p in self.tool.params:
            if p.name in values:
                self._set_value(p, values[p.name])

    def values(self) -> dict[str, Any]:
        """Current parameter values in the tool's declared units (layers as Layer objects)."""
        out: dict[str, Any] = {}
        for p in self.tool.params:
            w = self.editors[p.name]
            if p.kind in ("layer", "zones"):
                out[p.name] = self._layer_value(p)
            elif p.kind in ("field", "choice"):
                out[p.name] = w.currentData()  # type: ignore[attr-defined]
            elif p.kind == "number":
                out[p.name] = from_display(w.value(), p.unit, self.display_units)  # type: ignore[attr-defined]
            elif p.kind == "integer":
                out[p.name] = int(w.value())  # type: ignore[attr-defined]
            elif p.kind == "bool":
                out[p.name] = w.isChecked()  # type: ignore[attr-defined]
            elif p.kind == "date_range":
                out[p.name] = tuple(e.text().strip() or None for e in w.edits)  # type: ignore[attr-defined]
            elif p.kind == "file":
                out[p.name] = w.edits[0].text().strip() or None  # type: ignore[attr-defined]
            else:
                out[p.name] = w.text()  # type: ignore[attr-defined]
        return out

    def _watch(self, editor: QWidget) -> None:
        """Re-validate on every edit once messages are showing, so they clear as values are fixed."""
        for edit in getattr(editor, "edits", (editor,)):
            for name in ("currentIndexChanged", "valueChanged", "toggled", "textChanged"):
                sig = getattr(edit, name, None)
                if sig is not None and hasattr(sig, "connect"):
                    sig.connect(self._revalidate)
                    break

    def _revalidate(self, *_args: Any) -> None:
        if self._shown_messages:
            self.validate()

    # --- validation and run ----------------------------------------------------------------
    def validate(self) -> dict[str, list[str]]:
        """Validate and show the messages beside their fields."""
        msgs = self.tool.validate(self.values())
        self._shown_messages = bool(msgs)
        for name, label in self.messages.items():
            text = "\n".join(msgs.get(name, []))
            label.setText(text)
            label.setVisible(bool(text))
        return msgs

    def try_run(self) -> bool:
        """Emit ``run_requested`` and close when valid; otherwise keep the dialog open."""
        if self.validate():
            return False
        self.run_requested.emit(self.values())
        self.accept()
        return True

    def _help_html(self) -> str:
        import html

        t = self.tool
        rows = "".join(f"<li><b>{html.escape(p.label)}</b>: {html.escape(p.help)}</li>" for p in t.params if p.help)
        ref = f"<p><i>Reference:</i> {html.escape(t.reference)}</p>" if t.reference else ""
        return (f"<h3>{html.escape(t.name)}</h3><p>{html.escape(t.help)}</p>{ref}"
                + (f"<ul>{rows}</ul>" if rows else "") + f"<p style='color:gray'>{t.id} v{t.version}</p>")
