"""What a person reads: catalogue ids turned into words, and numbers formatted one way.

The results page, the PDF, the JSON a script draws from and the rule texts all take their words
and their number formats from here, so the page and the report can never disagree ($97.40 on
one and $97 on the other). The API keeps its ids; only people see these words.
"""
