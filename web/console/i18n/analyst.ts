// The analyst screens' words, in Spanish and English (keys prefixed 'analyst.').

export const es = {
  'analyst.title': 'Estadísticas',
  'analyst.statistics.title': 'Estadísticas del registro',
  'analyst.statistics.intro':
    'Personas activas agrupadas. Las celdas pequeñas, y las que permitirían deducirlas, se suprimen: nunca se muestra a una persona.',
  'analyst.statistics.by': 'Agrupar por',
  'analyst.statistics.by.region,sex': 'Región y sexo',
  'analyst.statistics.by.region,ageBand': 'Región y grupo de edad',
  'analyst.statistics.by.ageBand,sex': 'Grupo de edad y sexo',
  'analyst.statistics.by.region': 'Región',
  'analyst.statistics.by.ageBand': 'Grupo de edad',
  'analyst.statistics.by.sex': 'Sexo',
  'analyst.statistics.submit': 'Mostrar',
  'analyst.statistics.caption':
    'Personas activas por {by}, a {asOf}. Celdas menores que {threshold} suprimidas.',
  'analyst.statistics.total': 'Total',
  'analyst.statistics.count': 'Personas',
  'analyst.statistics.suppressed': 'suprimido',
  'analyst.statistics.ageBand': '{band} años',
  'analyst.statistics.ageBand.75+': '75 años o más',
  'analyst.statistics.chart.title': 'Gráfico: total por {dimension}',
  'analyst.statistics.chart.alt':
    'Gráfico de barras con el total de personas por {dimension}: {values}. Los mismos datos están en la tabla.',
  'analyst.statistics.chart.loading': 'Cargando el gráfico…',
  'analyst.statistics.chart.failed': 'No se pudo cargar el gráfico; los datos están en la tabla.',
  'analyst.dimension.region': 'región',
  'analyst.dimension.ageBand': 'grupo de edad',
  'analyst.dimension.sex': 'sexo',
} as const;

export const en: Record<keyof typeof es, string> = {
  'analyst.title': 'Statistics',
  'analyst.statistics.title': 'Registry statistics',
  'analyst.statistics.intro':
    'Active persons, grouped. Small cells, and those that would let them be worked out, are suppressed: no person is ever shown.',
  'analyst.statistics.by': 'Group by',
  'analyst.statistics.by.region,sex': 'Region and sex',
  'analyst.statistics.by.region,ageBand': 'Region and age band',
  'analyst.statistics.by.ageBand,sex': 'Age band and sex',
  'analyst.statistics.by.region': 'Region',
  'analyst.statistics.by.ageBand': 'Age band',
  'analyst.statistics.by.sex': 'Sex',
  'analyst.statistics.submit': 'Show',
  'analyst.statistics.caption':
    'Active persons by {by}, as of {asOf}. Cells below {threshold} suppressed.',
  'analyst.statistics.total': 'Total',
  'analyst.statistics.count': 'Persons',
  'analyst.statistics.suppressed': 'suppressed',
  'analyst.statistics.ageBand': '{band} years',
  'analyst.statistics.ageBand.75+': '75 years or over',
  'analyst.statistics.chart.title': 'Chart: total by {dimension}',
  'analyst.statistics.chart.alt':
    'Bar chart of the total of persons by {dimension}: {values}. The same data is in the table.',
  'analyst.statistics.chart.loading': 'Loading the chart…',
  'analyst.statistics.chart.failed': 'The chart could not be loaded; the data is in the table.',
  'analyst.dimension.region': 'region',
  'analyst.dimension.ageBand': 'age band',
  'analyst.dimension.sex': 'sex',
};
