"""The browser front end: the wizard, the results page, the method page. Server-rendered;
JavaScript only enhances."""
