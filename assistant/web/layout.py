"""The Gradio page: the only module that imports gradio.

``build_app`` returns the Blocks without launching them, so tests and ``app.py``
decide how to serve. The behaviour lives in ``handlers.py`` (plain functions); this
module only lays out components and maps a ``View`` onto them. A turn is two
events: ``turn`` (cards and templated answer, its own queue) then ``phrase`` (the
LLM, one at a time in its queue), so a shopper's search never waits behind
another shopper's rewording. Queues are first come, first served.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import gradio as gr

from .handlers import Filters, Session, View, WebChat
from .views import grid

CSS = """
.cards-grid { display: grid; gap: 12px;
  grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); }
.cards-grid.gallery { grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); }
.alternatives-note { margin: 4px 0 8px; font-weight: 600; color: #8a5a00; }
.cards-grid.alternatives .card { opacity: 0.9; border-style: dashed; }
.card img, .details img, .comparison img { width: 100%; max-width: 240px; height: auto;
  border-radius: 6px; background: #f4f4f4; }
.card { display: flex; flex-direction: column; gap: 2px; }
.card h3 { font-size: 1rem; margin: 6px 0 2px; }
.card .actions { display: flex; flex-wrap: wrap; gap: 4px; margin-top: auto; padding-top: 6px; }
.card .actions button { font-size: 0.8rem; padding: 3px 8px; border-radius: 6px;
  border: 1px solid #bbb; background: #f7f7f7; cursor: pointer; }
.card .actions button:focus-visible { outline: 2px solid #2563eb; outline-offset: 1px; }
.card .facet, .details .facet { font-size: 0.85rem; }
.price.special { color: #b42318; font-weight: 600; }
.tag { font-size: 0.75rem; border: 1px solid currentColor; border-radius: 4px;
  padding: 0 4px; margin: 0 2px; }
.comparison { border-collapse: collapse; width: 100%; }
.comparison th, .comparison td { border: 1px solid #ddd; padding: 6px; vertical-align: top; }
.comparison img { max-width: 140px; }
.details { display: flex; gap: 16px; flex-wrap: wrap; }
.details img { max-width: 200px; }
.no-photo { width: 100%; aspect-ratio: 1; display: grid; place-items: center;
  background: #eee; color: #555; border-radius: 6px; }
@media (max-width: 640px) {
  .cards-grid { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .comparison { font-size: 0.85rem; }
}
"""

BRIDGE_JS = """
() => {
  document.addEventListener('click', (event) => {
    const button = event.target.closest('#cards button[data-action]');
    if (!button) return;
    const box = document.querySelector('#card-action textarea, #card-action input');
    box.value = button.dataset.action + ':' + button.dataset.product;
    box.dispatchEvent(new Event('input', { bubbles: true }));
    setTimeout(() => document.querySelector('#card-action-go').click(), 50);
  });
}
"""


def build_app(chat: WebChat) -> gr.Blocks:
    """The page over one shared ``WebChat``; launch it with ``launch(app, ...)``."""
    with gr.Blocks(title="Shop assistant", fill_width=True) as app:
        session = gr.State(lambda: Session())  # one per browser session
        outputs: list[Any] = []  # filled once the components below exist

        def _wire(
            event: Callable[..., Any], step: Callable[..., Any], inputs: list[Any], name: str
        ) -> Any:
            """A turn's two events: decide and show (fast), then phrase (the LLM's queue).

            Both are named API endpoints (``name``, ``name + "_phrase"``) so that
            gradio_client can drive a session as the page does (benchmarks/load_test.py).
            """
            first = event(
                step, inputs, outputs, concurrency_id="turn", show_progress="minimal",
                api_name=name,
            )  # fmt: skip
            first.then(
                _phrasing(chat, outputs), [chatbot, session], outputs, concurrency_id="phrase",
                show_progress="hidden", api_name=f"{name}_phrase",
            )  # fmt: skip
            return first

        gr.Markdown("## Shop assistant", elem_id="title")
        models = gr.Markdown(chat.describe(), elem_id="models")
        chatbot = gr.Chatbot(
            label="Chat",
            elem_id="chat",
            height=420,
            sanitize_html=True,
            feedback_options=None,
            placeholder="Ask about products in English or 中文, or add a photo.",
        )
        box = gr.MultimodalTextbox(
            render=False,
            placeholder="Ask, or drop / paste a photo (“like this but in blue”)…",
            file_types=["image"],
            file_count="single",
            sources=["upload"],
            show_label=False,
            elem_id="ask",
            max_plain_text_length=4000,
        )
        if chat.examples:
            examples = [{"text": e, "files": []} for e in chat.examples]
            gr.Examples(examples, inputs=box, label="Try")
        box.render()
        answer_status = gr.Markdown("", elem_id="answer-status")

        cards = gr.HTML("", elem_id="cards")
        # A card's buttons are plain HTML; BRIDGE_JS copies "action:product" into this
        # hidden box and presses the hidden button, which runs ``WebChat.act``.
        action = gr.Textbox(visible="hidden", elem_id="card-action")
        act = gr.Button(visible="hidden", elem_id="card-action-go")
        table = gr.HTML("", elem_id="comparison")
        details = gr.HTML("", elem_id="details")
        with gr.Accordion("Filters (what I understood; change and apply)", open=True):
            with gr.Row():
                low = gr.Number(label="Min price", minimum=0, elem_id="min-price")
                high = gr.Number(label="Max price", minimum=0, elem_id="max-price")
                category = _choices("Category", chat.categories, "category")
                color = _choices("Colour", chat.colors, "color")
                size = _choices("Size", chat.sizes, "size")
            also = gr.Markdown("", elem_id="also-wanted")
            with gr.Row():
                apply = gr.Button("Apply filters", elem_id="apply-filters")
                clear = gr.Button("New chat", elem_id="new-chat")

        outputs += [chatbot, session, cards, table, details, low, high, category, color, size]
        outputs += [also, answer_status]

        def submit(value: dict[str, Any] | None, history: list[Any], state: Session) -> Any:
            value = value or {}
            view = chat.turn(value.get("text", ""), list(value.get("files") or []), history, state)
            return _render(view, state)

        asked = _wire(box.submit, submit, [box, chatbot, session], "ask")
        asked.then(
            lambda: gr.MultimodalTextbox(value=None), None, box, queue=False,
            api_visibility="private",
        )  # fmt: skip

        def filtered(*values: Any) -> Any:
            history, state = values[-2], values[-1]
            filters = Filters(
                min_price=values[0],
                max_price=values[1],
                category=values[2] or "",
                color=values[3] or "",
                size=values[4] or "",
            )
            return _render(chat.apply_filters(filters, history, state), state)

        _wire(apply.click, filtered, [low, high, category, color, size, chatbot, session], "filter")

        def acted(request: str, history: list[Any], state: Session) -> Any:
            name, _, product_id = (request or "").partition(":")
            return _render(chat.act(name, product_id, history, state), state)

        _wire(act.click, acted, [action, chatbot, session], "card")

        def new_chat() -> Any:
            history, state = chat.reset()
            return _render(View(history=history), state)

        clear.click(new_chat, None, outputs, queue=False, api_name="new_chat")
        app.load(chat.describe, None, models, queue=False, api_visibility="private")
    return app


def _choices(label: str, values: list[str], elem_id: str) -> gr.Dropdown:
    return gr.Dropdown(
        choices=["", *values],
        value="",
        label=label,
        allow_custom_value=True,
        filterable=True,
        elem_id=elem_id,
    )


def _phrasing(chat: WebChat, outputs: list[Any]) -> Callable[..., tuple[Any, ...]]:
    """The second step; with nothing to phrase it changes nothing (a card's details)."""

    def phrase(history: list[Any], state: Session) -> tuple[Any, ...]:
        if state.pending is None:
            return tuple(gr.skip() for _ in outputs)
        return _render(chat.phrase(history, state), state)

    return phrase


def _render(view: View, state: Session) -> tuple[Any, ...]:
    """A ``View`` as the values of ``build_app``'s outputs, in their order."""
    status = view.status + (f"\n\n⚠ {escape(view.notice)}" if view.notice else "")
    cards = (
        gr.skip()
        if view.cards is None
        else grid([c.html for c in view.cards], view.gallery, alternatives=view.alternatives)
    )
    table = gr.skip() if view.table is None else view.table
    details = gr.skip() if view.details is None else view.details
    return (view.history, state, cards, table, details, *_filter_values(view.filters), status)


def _filter_values(filters: Filters) -> tuple[Any, ...]:
    also = f"Also wanted: {', '.join(filters.also)}" if filters.also else ""
    return (
        filters.min_price,
        filters.max_price,
        filters.category,
        filters.color,
        filters.size,
        escape(also),
    )


def launch(app: gr.Blocks, *, host: str, port: int, share: bool, max_upload_mb: int) -> None:
    """Serve the page; queued events run first come, first served."""
    app.queue(default_concurrency_limit=1, max_size=256)
    app.launch(
        server_name=host,
        server_port=port,
        share=share,
        max_file_size=f"{max_upload_mb}mb",
        css=CSS,
        js=BRIDGE_JS,
        show_error=False,
        footer_links=[],
    )
