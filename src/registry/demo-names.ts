// Name and place lists for the demo registry: common Spanish-language names as used in
// Venezuela, with their accents. Generated people are fictional.

/** Female given names. */
export const femaleNames = ['María', 'Ana', 'Carmen', 'Rosa', 'Luisa', 'Isabel', 'Yolanda', 'Carolina', 'Daniela', 'Gabriela', 'Valentina', 'Andrea', 'Mariana', 'Fernanda', 'Patricia', 'Beatriz', 'Elena', 'Lucía', 'Sofía', 'Victoria', 'Alejandra', 'Josefina', 'Mercedes', 'Dolores', 'Teresa', 'Milagros', 'Yusmary', 'Yelitza', 'Nathaly', 'Génesis', 'Marbelys', 'Xiomara', 'Adriana', 'Rebeca', 'Inés', 'Guadalupe', 'Concepción', 'Esperanza', 'Rocío', 'Paola'];
/** Male given names. */
export const maleNames = ['José', 'Juan', 'Luis', 'Carlos', 'Jesús', 'Pedro', 'Miguel', 'Antonio', 'Francisco', 'Manuel', 'Rafael', 'Jorge', 'Ángel', 'Alejandro', 'Andrés', 'Daniel', 'David', 'Gabriel', 'Diego', 'Ramón', 'Víctor', 'Eduardo', 'Ricardo', 'Fernando', 'Héctor', 'Óscar', 'Wilmer', 'Yorman', 'Deivis', 'Jhonny', 'Reinaldo', 'Nelson', 'Freddy', 'Gustavo', 'Alberto', 'Ignacio', 'Sebastián', 'Santiago', 'Tomás', 'Simón'];
/** Second given names (often combined: María José, Juan Carlos). */
export const compoundSecond = { F: ['José', 'Fernanda', 'Alejandra', 'Carolina', 'Isabel', 'Elena', 'del Carmen', 'de los Ángeles', 'Gabriela', 'Victoria'], M: ['Carlos', 'José', 'Luis', 'Antonio', 'Manuel', 'Rafael', 'Alberto', 'Ignacio', 'David', 'Andrés'] };
/** Surnames. */
export const surnames = ['González', 'Rodríguez', 'Pérez', 'Hernández', 'García', 'Martínez', 'López', 'Díaz', 'Sánchez', 'Romero', 'Ramírez', 'Torres', 'Rojas', 'Flores', 'Álvarez', 'Gómez', 'Moreno', 'Suárez', 'Mendoza', 'Castillo', 'Medina', 'Rivas', 'Vásquez', 'Marcano', 'Guerrero', 'Blanco', 'Contreras', 'Gutiérrez', 'Chacón', 'Briceño', 'Colmenares', 'Peña', 'Núñez', 'Salazar', 'Figueroa', 'Ortiz', 'Acosta', 'Bolívar', 'Urdaneta', 'Montilla', 'Quintero', 'Zambrano', 'Parra', 'Camacho', 'Villalobos', 'Carrasquel', 'Istúriz', 'Guaicaipuro', 'Mijares', 'Añez'];
/** A few localities per region. */
export const localities: Record<string, string[]> = {
  'VE-A': ['Caracas', 'El Valle', 'Catia', 'La Vega', 'Antímano'],
  'VE-B': ['Barcelona', 'Puerto La Cruz', 'El Tigre', 'Anaco'],
  'VE-D': ['Maracay', 'Turmero', 'La Victoria', 'Cagua'],
  'VE-G': ['Valencia', 'Puerto Cabello', 'Guacara', 'Los Guayos'],
  'VE-K': ['Barquisimeto', 'Carora', 'Cabudare', 'El Tocuyo'],
  'VE-L': ['Mérida', 'El Vigía', 'Tovar', 'Ejido'],
  'VE-M': ['Los Teques', 'Guarenas', 'Petare', 'Charallave', 'Ocumare del Tuy'],
  'VE-S': ['San Cristóbal', 'Táriba', 'Rubio', 'La Fría'],
  'VE-V': ['Maracaibo', 'Cabimas', 'Ciudad Ojeda', 'San Francisco', 'Machiques'],
  'VE-F': ['Ciudad Bolívar', 'Ciudad Guayana', 'Upata', 'El Callao'],
};
/** Street words for address lines. */
export const streets = ['Calle', 'Avenida', 'Carrera', 'Vereda', 'Callejón', 'Sector', 'Urbanización', 'Barrio'];
