"""kanalregister: publish a municipality's register (förteckning) of official social-media channels.

The pipeline has two phases, in the manner of MkDocs:

1. ``load`` → ``validate`` → ``model``: read ``channels.yaml`` safely, check it against the
   Table Schema in ``kanalregister/register/schemas/`` and the guideline rules, and build an immutable
   :class:`kanalregister.model.Register`, collecting every problem on the way.
2. ``render`` + ``export`` → ``publish``: write the pages and open data into a temporary
   folder that replaces ``site/`` only when everything succeeded.
"""

__version__ = "0.2.0"
