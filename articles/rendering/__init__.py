"""What readers' pages show, built from the models: sanitised text, the body with its
quotes, the appeal bar's figures and the article page's view-model.

Nothing is imported here, so a model can import `rendering.html` or `rendering.body`
without pulling in the page modules, which import the models."""
