"""Video files, landmark CSV files, drawing on frames and the annotated video."""
