"""The search engine as a LangChain retriever, for shops that already use LangChain.

A thin adapter: ``ProductRetriever(searcher=...).invoke("red hoodie under $50")``
returns ``Document``s whose text is the product's own text and whose metadata is
the search hit (id, name, price, score, constraints met, photo). The core never
goes through LangChain; this module is imported only by those who want it.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from .search import Searcher
from .text import product_text


class ProductRetriever(BaseRetriever):
    """Hybrid product search (constraints, vectors, keywords) behind ``BaseRetriever``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Searcher
    k: int = 10

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        result = self.searcher.search(query, k=self.k)
        documents = []
        for hit in result.hits:
            metadata: dict[str, Any] = hit.to_dict()
            metadata["alternative"] = result.alternatives
            documents.append(
                Document(
                    page_content=product_text(hit.product), metadata=metadata, id=hit.product.id
                )
            )
        return documents
