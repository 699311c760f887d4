"""The recurrent network and the LightningModule that trains it."""
