mod check;
mod shipped;
